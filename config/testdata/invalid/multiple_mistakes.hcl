# Several mistakes of different kinds; each must get exactly one diagnostic.

redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

plugin "sample" {
  command = "bin/dsrhost-plugin-sample"
}

database "main" {
  url = "postgres://localhost/dsrhost"
}

integration "crm" {
  plugin         = "sample"
  retry_interval = "1 day"
  settings {
    base_url  = "http://127.0.0.1:9000"
    page_size = "many"
    endpoint {
      path = "/users"
    }
  }
}

integration "billing" {
  plugin = "stripe"
}

admin_token "ops" {
  sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  role   = "root"
}

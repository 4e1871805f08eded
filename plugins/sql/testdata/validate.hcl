# A dataset with mistakes only the database can reveal. Each "want:" names
# the diagnostic `dsrhost validate` must report on that line.
server {
  listen = "127.0.0.1:8700"
}

redis {
  url = "redis://127.0.0.1:6379/0"
}

encryption_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

plugin "sql" {
  command = "PLUGIN"
  sha256  = "SHA256"
}

integration "shop" {
  plugin = "sql"
  settings {
    driver = "postgres"
    dsn    = env("SQL_TEST_DSN")

    table {
      name        = "users"
      identity    = { email = "email" }
      erase       = "delete"
    }
    table { # want: Missing privilege
      name  = "addresses"
      erase = "delete"
      reference {
        column     = "user_id"
        references = "users.id"
      }
    }
    table {
      name    = "orderz" # want: Table not found
      erase   = "delete"
      reference {
        column     = "user_id"
        references = "users.id"
      }
    }
    table {
      name    = "tickets"
      columns = ["id",
        "subjekt"] # want: Column not found
      identity = { email = "email" }
      erase    = "none"
    }
  }
}

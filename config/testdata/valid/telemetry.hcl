redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

telemetry {
  prometheus_metrics = true
  listen             = "127.0.0.1:9102"
  otlp_endpoint      = "127.0.0.1:4317"
  otlp_insecure      = true
}

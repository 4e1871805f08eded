redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "c2l4dGVlbiBieXRlcyBrZXk="

# The least a configuration needs: where Redis is and the encryption key.

redis {
  url = "redis://127.0.0.1:6379"
}

encryption_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

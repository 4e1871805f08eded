encryption_key = = "x"

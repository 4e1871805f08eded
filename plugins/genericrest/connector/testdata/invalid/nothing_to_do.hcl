# want: -
base_url = "https://api.example.com"

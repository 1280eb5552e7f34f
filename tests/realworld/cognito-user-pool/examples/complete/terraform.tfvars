env = {
  region  = "us-east-1"
  profile = "default"
}

# Change to your target AWS region.
region = "eu-west-1"

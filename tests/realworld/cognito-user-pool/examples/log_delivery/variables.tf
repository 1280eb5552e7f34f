variable "region" {
  type        = string
  description = "AWS region"
  default     = "eu-west-1"
}

variable "env" {
  type    = map(any)
  default = {}
}

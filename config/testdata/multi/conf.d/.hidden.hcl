this is not HCL and must not be read {

"""CertPath's Qt front-end: thin views over core objects."""

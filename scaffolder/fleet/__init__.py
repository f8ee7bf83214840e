"""Fleet operations for platform teams: status and upgrade branches over many repositories."""

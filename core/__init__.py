"""What both apps share: the base factory, configuration, database and extensions."""

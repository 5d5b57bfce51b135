"""The books pages, one module per page family; `shared` holds what they all use."""

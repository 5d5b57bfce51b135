"""An offline, contract-faithful Xero: identity, the Accounting API, webhooks and faults.

Self-contained: in-memory state, no Django ORM, no imports from the product's apps. The product
reaches it over HTTP only, through the same base URLs it would use for the real Xero.
"""

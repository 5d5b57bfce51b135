"""The only code that speaks HTTP to Xero: OAuth2 flows, the API client and its rate-limit governor.

Nothing here touches the database directly: callers hand in where tokens come from and where the
governor keeps its counters.
"""

"""Storage: keyword-only functions and small stores over `helpdesk.database.Database`."""

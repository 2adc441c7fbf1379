"""The office's side of the portal (督查室): a login, a board for the open month, review actions
(return, correct, accept, withdraw, rotate a link), the audit log, and the month's run."""

"""Accounts and sessions: users, memberships, sign-in, two-factor authentication, invitations, resets."""

"""Insight: 5S radar and trends, Pareto of findings, ticket KPIs."""

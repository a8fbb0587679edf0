"""Forges (GitHub, GitLab): where a pushed agent branch becomes a pull request. The one home of
httpx; REST only, tokens from the environment. Knows nothing of git, tasks or editors.
"""

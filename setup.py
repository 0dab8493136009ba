"""Package layout that pyproject.toml cannot say: templates/ ships as communet.templates (package data)."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["communet", "communet.*", "nornir_tasks", "nornir_tasks.*"]),
        "communet.templates",
    ],
    package_dir={"communet.templates": "templates"},
    package_data={"communet.templates": ["**/*"], "communet": ["py.typed"]},
)

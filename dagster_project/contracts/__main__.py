"""``python -m dagster_project.contracts``: regenerate the dbt sources file."""

from dagster_project.contracts.dbt_sources import SOURCES_FILE, dbt_sources_yaml
from dagster_project.contracts.model import load_contracts
from dagster_project.settings import load_settings

if __name__ == "__main__":
    s = load_settings()
    target = s.dbt_project_dir / SOURCES_FILE
    target.write_text(dbt_sources_yaml(load_contracts(s.contracts_dir)))
    print(f"wrote {target}")

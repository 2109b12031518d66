"""The text asset: themes and sentiment of every customer text, into the analysis schema."""

import dagster as dg

from dagster_project import tenancy
from dagster_project.resources import DuckDBWarehouse
from dagster_project.text.runs import score_texts

TEXT_KEYS = [
    dg.AssetKey(["analysis", n])
    for n in ("text_sentiment", "text_themes", "theme_catalogue", "theme_candidates")
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="text",
            kinds={"python", "duckdb"},
            deps=[dg.AssetKey(["intermediate", "int_customer_texts_unioned"])],
            description=desc,
        )
        for key, desc in zip(
            TEXT_KEYS,
            [
                "VADER sentiment (extended with config/sentiment_lexicon.yaml) of every NPS "
                "comment, ticket and CSAT comment.",
                "Themes (config/themes.yaml) found in each text; a text can carry several.",
                "The theme taxonomy as loaded, so themes with no mention still show.",
                "Candidate themes: the texts no theme explains, grouped by the phrase they "
                "share, with the YAML lines that add each to config/themes.yaml.",
            ],
            strict=True,
        )
    ],
    can_subset=False,
    partitions_def=tenancy.PARTITIONS,
)
def text_analysis(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse):
    """Themes and sentiment of customer texts; re-read from the YAML files on every refresh."""
    s = warehouse.settings
    with warehouse.connect() as con:
        stats = score_texts(con, s.themes_file, s.sentiment_lexicon_file)
    context.log.info(f"texts scored: {stats}")
    for key in TEXT_KEYS:
        yield dg.MaterializeResult(asset_key=key, metadata=stats)

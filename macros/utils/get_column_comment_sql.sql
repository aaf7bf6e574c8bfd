{#- Spark: a view's column comment (persist_docs) is kept to the Hive metastore's limit of 256
    characters (COLUMNS_V2.COMMENT is VARCHAR(256)). dbt-spark writes the whole description,
    and a longer one fails the metastore's insert, which it retries again and again, seconds
    apart, while holding the catalog lock of every dbt thread: time lost on every view, while
    every other model and test of the run waits too (CI's Spark builds spent most of their
    time there; measured: docs/benchmarks.md, "Figures moved from code comments
    (2026-12-06)"). The full text stays in the YAML and in dbt docs; the catalog gets its
    first 255 characters and an ellipsis. A cut never ends on a backslash, which would escape
    the closing quote. Overrides dbt-spark's macro of the same name (the root project's macros
    come first); only dbt-spark's view materialization calls it. -#}
{% macro get_column_comment_sql(column_name, column_dict) -%}
    {%- set column_comment_clause = '' -%}
    {%- if column_name in column_dict and column_dict[column_name]['description'] -%}
        {%- set description = column_dict[column_name]['description'] -%}
        {%- if description | length > 256 -%}
            {%- set description = description[:255].rstrip('\\') ~ '…' -%}
        {%- endif -%}
        {%- set column_comment_clause = "comment '" ~ (description | replace("'", "\\'")) ~ "'" -%}
    {%- endif -%}
    {{ adapter.quote(column_name) }} {{ column_comment_clause }}
{%- endmacro %}

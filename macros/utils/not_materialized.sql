{#- A hint for a CTE over many rows that a later step reads twice: `name as {{ personas.not_materialized() }} (`.
    DuckDB (and PostgreSQL) otherwise copy such a CTE into memory once and read the copy; over
    the raw rows of a large entity the copy is most of a staging model's time and memory, while
    reading the source twice costs a second scan (measured: docs/benchmarks.md, "Figures moved
    from code comments (2026-12-06)"). Engines without the syntax get nothing. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'personas')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{#- DuckDB and PostgreSQL (12+) accept `with name as not materialized (...)`. -#}
{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro postgres__not_materialized() -%}
    not materialized
{%- endmacro %}

{#- A hint for a small CTE that later steps read several times: `name as {{ personas.materialized() }} (`.
    DuckDB and PostgreSQL then compute it once and read the copy, where they would otherwise
    inline it into every reader (personas.not_materialized is the opposite hint, for large
    CTEs). Engines without the syntax get nothing. -#}
{% macro materialized() -%}
    {{ return(adapter.dispatch('materialized', 'personas')()) }}
{%- endmacro %}

{% macro default__materialized() -%}
{%- endmacro %}

{#- DuckDB and PostgreSQL (12+) accept `with name as materialized (...)`. -#}
{% macro duckdb__materialized() -%}
    materialized
{%- endmacro %}

{% macro postgres__materialized() -%}
    materialized
{%- endmacro %}

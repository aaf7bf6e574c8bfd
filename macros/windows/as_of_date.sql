{#- D, the as-of date of the catalog, as a SQL date expression.
    var as_of_date set ('YYYY-MM-DD'): that date as a literal.
    Unset: the one row of int_as_of_date (the latest day of any staged order, email event or
    site visit), as a scalar subquery, so that D is computed once per build, by that model,
    and the SQL of every model is the same whatever the warehouse holds: the path a unit test
    runs (with int_as_of_date given as a fixture row) is the path production runs. Reading D
    by a query at compile time and pasting it in as a literal was measured not to pay on
    DuckDB 2.0 (docs/benchmarks.md, 2026-12-06, "D without a compile-time query"). -#}
{% macro as_of_date() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured is none or configured | string | trim == '' -%}
        (select int_as_of_date.as_of_date from {{ ref('int_as_of_date') }} as int_as_of_date)
    {%- else -%}
        cast('{{ personas.validated_date_var("as_of_date", configured) }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- cast() that yields null instead of failing on a value that does not fit the type (an
    impossible date such as 2026-02-30). Callers check the text's shape first. -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'personas')(expression, data_type)) }}
{%- endmacro %}

{#- Engines without a non-failing cast: the shape check before it is all there is. -#}
{% macro default__try_cast(expression, data_type) -%}
    cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#- DuckDB: try_cast returns null on failure (dbt-duckdb's safe_cast is a plain cast). -#}
{% macro duckdb__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#- Spark: try_cast returns null on failure, with or without ANSI mode. -#}
{% macro spark__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

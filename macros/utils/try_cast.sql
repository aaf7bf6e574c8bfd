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

{#- PostgreSQL: no non-failing cast, so a date (or a timestamp's date part, its first 10
    characters) is checked for a real day of its month in SQL before the cast; nested cases
    because PostgreSQL does not promise to evaluate `and` left to right. -#}
{% macro postgres__try_cast(expression, data_type) -%}
    {%- set type_name = data_type | string | lower | trim -%}
    {%- if type_name == 'date' or type_name.startswith('timestamp') -%}
        {%- set year = 'cast(substring(' ~ expression ~ ', 1, 4) as integer)' -%}
        {%- set month = 'cast(substring(' ~ expression ~ ', 6, 2) as integer)' -%}
        {%- set day = 'cast(substring(' ~ expression ~ ', 9, 2) as integer)' -%}
    case
        when substring({{ expression }}, 1, 10) ~ '^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}$'
            then case
                when {{ year }} >= 1 and {{ day }} between 1 and case
                    when {{ month }} in (4, 6, 9, 11) then 30
                    when {{ month }} <> 2 then 31
                    when ({{ year }} % 4 = 0 and {{ year }} % 100 <> 0) or {{ year }} % 400 = 0 then 29
                    else 28
                end
                    then cast({{ expression }} as {{ data_type }})
            end
    end
    {%- else -%}
    cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

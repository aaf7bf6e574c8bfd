{#- The latest loaded_at already in this model's table, as text ('YYYY-MM-DD HH:MM:SS'), read
    with a query when the model runs so that an incremental model can compare against a
    literal (a constant lets DuckDB skip, by their min/max, the row groups loaded before).
    none when the table holds no row, and at parse time, when no query may run. -#}
{% macro incremental_loaded_at() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select cast(max(loaded_at) as {{ dbt.type_string() }}) as loaded_at from {{ this }}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}

{#- The date n days after a date, in integer day arithmetic (see days_before). -#}
{% macro days_after(date_expression, days) -%}
    {{ return(adapter.dispatch('days_after', 'personas')(date_expression, days)) }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: date plus integer is a date. -#}
{% macro default__days_after(date_expression, days) -%}
    ({{ date_expression }} + {{ days }})
{%- endmacro %}

{#- Spark: date_add takes a number of days. -#}
{% macro spark__days_after(date_expression, days) -%}
    date_add({{ date_expression }}, {{ days }})
{%- endmacro %}

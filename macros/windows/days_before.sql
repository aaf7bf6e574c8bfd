{#- The date n days before a date, in integer day arithmetic. Never a day interval: DuckDB
    treats interval '90 day' and interval '3 month' as equal and may swap them (decisions.md). -#}
{% macro days_before(date_expression, days) -%}
    {{ return(adapter.dispatch('days_before', 'personas')(date_expression, days)) }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: date minus integer is a date. -#}
{% macro default__days_before(date_expression, days) -%}
    ({{ date_expression }} - {{ days }})
{%- endmacro %}

{#- Spark: date minus integer is not defined; date_sub is. -#}
{% macro spark__days_before(date_expression, days) -%}
    date_sub({{ date_expression }}, {{ days }})
{%- endmacro %}

{#- The date n calendar months before a date, end of month clamped:
    2026-05-31 minus 3 months is 2026-02-28. -#}
{% macro months_before(date_expression, months) -%}
    {{ return(adapter.dispatch('months_before', 'personas')(date_expression, months)) }}
{%- endmacro %}

{% macro default__months_before(date_expression, months) -%}
    cast({{ dbt.dateadd('month', '-1 * (' ~ months ~ ')', date_expression) }} as date)
{%- endmacro %}

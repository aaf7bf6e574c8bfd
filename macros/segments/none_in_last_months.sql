{#- "no purchase (or event) in the last N months", given the latest day of it (null: never). -#}
{% macro none_in_last_months(last_day_column, months) -%}
    {{ return(adapter.dispatch('none_in_last_months', 'personas')(last_day_column, months)) }}
{%- endmacro %}

{% macro default__none_in_last_months(last_day_column, months) -%}
    ({{ last_day_column }} is null or not {{ personas.in_last_months(last_day_column, months) }})
{%- endmacro %}

{#- "no purchase (or event) in the last N days", given the latest day of it (null: never):
    true when that day is null or falls before the window. -#}
{% macro none_in_last_days(last_day_column, days) -%}
    {{ return(adapter.dispatch('none_in_last_days', 'personas')(last_day_column, days)) }}
{%- endmacro %}

{% macro default__none_in_last_days(last_day_column, days) -%}
    ({{ last_day_column }} is null or not {{ personas.in_last_days(last_day_column, days) }})
{%- endmacro %}

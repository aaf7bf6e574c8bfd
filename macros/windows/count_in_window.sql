{#- Counts the rows of a group that meet a condition inside a window (both SQL booleans),
    e.g. count_in_window("is_engagement", in_last_days("occurred_on", 30)). Zero, never null. -#}
{% macro count_in_window(condition, window) -%}
    {{ return(adapter.dispatch('count_in_window', 'personas')(condition, window)) }}
{%- endmacro %}

{% macro default__count_in_window(condition, window) -%}
    cast(coalesce(sum(case when ({{ condition }}) and {{ window }} then 1 else 0 end), 0) as {{ dbt.type_bigint() }})
{%- endmacro %}

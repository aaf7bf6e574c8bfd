{#- Sums a group's values inside a window (a SQL boolean), e.g.
    sum_in_window("clicks", in_last_days("occurred_on", 30)) over daily counts. Zero, never null. -#}
{% macro sum_in_window(value, window) -%}
    {{ return(adapter.dispatch('sum_in_window', 'personas')(value, window)) }}
{%- endmacro %}

{% macro default__sum_in_window(value, window) -%}
    cast(coalesce(sum(case when {{ window }} then {{ value }} else 0 end), 0) as {{ dbt.type_bigint() }})
{%- endmacro %}

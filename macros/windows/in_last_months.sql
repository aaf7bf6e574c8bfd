{#- "in the last N months" of the catalog: D − N months < day ≤ D (calendar months).
    as_of: a date expression for D (default: the as-of date of the run). -#}
{% macro in_last_months(day_column, months, as_of=none) -%}
    {{ return(adapter.dispatch('in_last_months', 'personas')(day_column, months, as_of=as_of)) }}
{%- endmacro %}

{% macro default__in_last_months(day_column, months, as_of=none) -%}
    {%- set d = as_of if as_of is not none else personas.as_of_date() -%}
    ({{ day_column }} > {{ personas.months_before(d, months) }}
        and {{ day_column }} <= {{ d }})
{%- endmacro %}

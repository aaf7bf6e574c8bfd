{#- "between A and B months ago" of the catalog: D − B months < day ≤ D − A months.
    as_of: a date expression for D (default: the as-of date of the run). -#}
{% macro between_months_ago(day_column, from_months, to_months, as_of=none) -%}
    {{ return(adapter.dispatch('between_months_ago', 'personas')(day_column, from_months, to_months, as_of=as_of)) }}
{%- endmacro %}

{% macro default__between_months_ago(day_column, from_months, to_months, as_of=none) -%}
    {%- set d = as_of if as_of is not none else personas.as_of_date() -%}
    ({{ day_column }} > {{ personas.months_before(d, to_months) }}
        and {{ day_column }} <= {{ personas.months_before(d, from_months) }})
{%- endmacro %}

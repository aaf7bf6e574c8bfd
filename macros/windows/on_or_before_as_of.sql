{#- A day that counts at all: on or before D (later rows are ignored everywhere).
    as_of: a date expression for D (default: the as-of date of the run). -#}
{% macro on_or_before_as_of(day_column, as_of=none) -%}
    {{ return(adapter.dispatch('on_or_before_as_of', 'personas')(day_column, as_of=as_of)) }}
{%- endmacro %}

{% macro default__on_or_before_as_of(day_column, as_of=none) -%}
    {%- set d = as_of if as_of is not none else personas.as_of_date() -%}
    ({{ day_column }} <= {{ d }})
{%- endmacro %}

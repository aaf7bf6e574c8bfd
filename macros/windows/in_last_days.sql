{#- "in the last N days" of the catalog: D − N days < day ≤ D. as_of: a date expression for D
    (default: the as-of date of the run), so that tests can pin it. -#}
{% macro in_last_days(day_column, days, as_of=none) -%}
    {{ return(adapter.dispatch('in_last_days', 'personas')(day_column, days, as_of=as_of)) }}
{%- endmacro %}

{% macro default__in_last_days(day_column, days, as_of=none) -%}
    {%- set d = as_of if as_of is not none else personas.as_of_date() -%}
    ({{ personas.in_last_days_start(day_column, days, as_of=d) }}
        and {{ day_column }} <= {{ d }})
{%- endmacro %}

{#- The lower bound of in_last_days alone, D − N days < day: for rows that already hold days on
    or before D only (int_email_events_scoped), where repeating `day ≤ D` against the subquery
    for D cost DuckDB a second join over the window's rows (docs/benchmarks.md, "2026-12-07,
    eleventh session"). -#}
{% macro in_last_days_start(day_column, days, as_of=none) -%}
    {%- set d = as_of if as_of is not none else personas.as_of_date() -%}
    {{ day_column }} > {{ personas.days_before(d, days) }}
{%- endmacro %}

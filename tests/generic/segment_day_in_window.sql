{#- Passes when every non-null day of the column lies in a window counted back from the as-of
    date D, with the catalog's window semantics: after D − after_months months (or
    after_days days), and on or before D − on_or_before_months months (or
    on_or_before_days days; neither: on or before D). Give the sizes as numbers or as
    "{{ var('...') }}". Nulls pass: pair it with not_null when the day is required. Failing
    rows are returned whole. The as-of date is read in this body (not in the arguments) so
    that dbt sees the dependency on int_as_of_date when it parses the project. -#}
{% test segment_day_in_window(
    model, column_name, after_months=none, after_days=none,
    on_or_before_months=none, on_or_before_days=none
) %}

{%- set as_of = personas.as_of_date() -%}
{%- if after_months is not none and after_days is not none -%}
    {{ exceptions.raise_compiler_error("segment_day_in_window: give after_months or after_days, not both.") }}
{%- endif -%}
{%- if on_or_before_months is not none and on_or_before_days is not none -%}
    {{ exceptions.raise_compiler_error("segment_day_in_window: give on_or_before_months or on_or_before_days, not both.") }}
{%- endif -%}
{%- if on_or_before_months is not none -%}
    {%- set upper_bound = personas.months_before(as_of, on_or_before_months) -%}
{%- elif on_or_before_days is not none -%}
    {%- set upper_bound = personas.days_before(as_of, on_or_before_days) -%}
{%- else -%}
    {%- set upper_bound = as_of -%}
{%- endif %}

select *
from {{ model }}
where
    {{ column_name }} is not null
    and (
        {{ column_name }} > {{ upper_bound }}
        {%- if after_months is not none %}
        or {{ column_name }} <= {{ personas.months_before(as_of, after_months) }}
        {%- elif after_days is not none %}
        or {{ column_name }} <= {{ personas.days_before(as_of, after_days) }}
        {%- endif %}
    )

{% endtest %}

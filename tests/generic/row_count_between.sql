{#- Passes when the model's row count lies in [min_value, max_value] (either bound optional),
    e.g. exactly one row for a one-row model. A failure returns the count and the bounds. -#}
{% test row_count_between(model, min_value=none, max_value=none) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("row_count_between needs min_value, max_value or both.") }}
{%- endif %}

with

model_rows as (
    select count(*) as row_count from {{ model }}
)

select
    row_count,
    {{ min_value if min_value is not none else 'null' }} as min_value,
    {{ max_value if max_value is not none else 'null' }} as max_value
from model_rows
where
    1 = 0
    {%- if min_value is not none %}
    or row_count < {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    or row_count > {{ max_value }}
    {%- endif %}

{% endtest %}

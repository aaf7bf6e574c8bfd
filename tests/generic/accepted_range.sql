{#- Passes when every non-null value of the column lies in [min_value, max_value] (both bounds
    optional, inclusive unless inclusive=false). Nulls pass: pair it with not_null when the
    column is required. Failing rows are returned whole. Optional where: dbt's test config. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error(
        "accepted_range on " ~ column_name ~ " needs min_value, max_value or both.") }}
{%- endif %}

select *
from {{ model }}
where
    1 = 0
    {%- if min_value is not none %}
    or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
    {%- endif %}

{% endtest %}

{#- Passes when no two rows share the same values of combination_of_columns (a grain of
    several columns, e.g. [order_id, line_number]). A failure returns each repeated
    combination with the number of rows that carry it (n_records). Nulls count as equal. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {%- for column in combination_of_columns %}
    {{ column }},
    {%- endfor %}
    count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}

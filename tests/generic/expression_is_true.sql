{#- Passes when `expression` holds on every row of the model. A row where it is false or null
    fails and is returned whole, so the failure shows which row (its id, entity, ...) broke it.
    On a column, the expression is appended to the column name (`expression: ">= 0"`) and rows
    where that column is null are skipped (pair it with not_null when the column is required).
    Optional where: dbt's own test config, `config: {where: "is_in_rfm_population"}`, keeps
    only the rows it matches before the expression is checked. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where
    {%- if column_name is not none %}
    {{ column_name }} is not null
    and not coalesce(({{ column_name }} {{ expression }}), false)
    {%- else %}
    not coalesce(({{ expression }}), false)
    {%- endif %}

{% endtest %}

{#- Passes when none of the columns holds a null. One scan of the model checks them all (one
    test node instead of one per column: docs/decisions.md, "Required columns: one not-null
    test per model"). A failure returns each column that holds nulls, with the number of
    rows where it is null (null_rows). Optional where: dbt's test config. -#}
{% test not_null_columns(model, columns) %}

{%- if columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("not_null_columns on " ~ model ~ " needs at least one column.") }}
{%- endif %}

with

null_counts as (
    select
        {%- for column in columns %}
        count(*) - count({{ column }}) as null_rows_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
)

{% for column in columns -%}
select
    '{{ column }}' as column_name,
    null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}

{% endtest %}

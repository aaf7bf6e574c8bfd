{#- Passes when the model has as many rows as compare_model (e.g. one row per staged
    profile). A failure returns one row with both counts. -#}
{% test equal_row_count(model, compare_model) %}

with

model_rows as (
    select count(*) as row_count from {{ model }}
),

compare_model_rows as (
    select count(*) as row_count from {{ compare_model }}
),

final as (
    select
        model_rows.row_count as model_row_count,
        compare_model_rows.row_count as compare_model_row_count
    from model_rows
    cross join compare_model_rows
)

select * from final
where model_row_count != compare_model_row_count

{% endtest %}

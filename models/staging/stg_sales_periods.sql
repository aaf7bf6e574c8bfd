-- The shop's sale campaigns (configuration, edited by the shop): typed. A row that cannot be
-- typed fails the data tests of this model with its name, instead of being quarantined:
-- a wrong sale calendar must stop the build, not shrink a segment.
with

sales_periods as (
    select * from {{ personas.raw_relation('sales_periods') }} as sales_periods
),

trimmed as (
    select {{ personas.trimmed_columns('sales_periods', 'sales_periods') }}
    from sales_periods
),

final as (
    select
        sale_id,
        season,
        {{ personas.parse_date('starts_on') }} as starts_on,
        {{ personas.parse_date('ends_on') }} as ends_on
    from trimmed
)

select * from final

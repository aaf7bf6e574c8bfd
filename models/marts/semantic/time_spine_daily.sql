-- MetricFlow's time spine (dbt >= 1.9 needs one for any metric): one row per day from
-- 2000-01-01 to 2060-12-31 (date_spine stops before its end date), wide enough for any
-- as-of date a shop will build. dbt's own cross-database date_spine macro: the same SQL on
-- DuckDB, PostgreSQL and Spark.
with

days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('2000-01-01' as date)",
        end_date="cast('2061-01-01' as date)",
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final

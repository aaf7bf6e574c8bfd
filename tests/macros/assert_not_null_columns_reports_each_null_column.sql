-- The generic test not_null_columns (tests/generic/not_null_columns.sql) on a fixture of three
-- rows: column a has no null, b one, c two. It must return exactly b with 1 null row and c
-- with 2, and nothing for a.
with

fixture as (
    select fixture.* from (
        values
        (1, cast(null as {{ dbt.type_int() }}), cast(null as {{ dbt.type_string() }})),
        (2, 20, cast(null as {{ dbt.type_string() }})),
        (3, 30, 'x')
    ) as fixture (a, b, c)
),

reported as (
    {{ test_not_null_columns(model='fixture', columns=['a', 'b', 'c']) }}
),

expected as (
    select expected.* from (
        values
        ('b', 1),
        ('c', 2)
    ) as expected (column_name, null_rows)
),

-- One row per column whose reported null count is not the expected one: missing, unexpected
-- or wrong.
final as (
    select
        coalesce(expected.column_name, reported.column_name) as column_name,
        expected.null_rows as expected_null_rows,
        reported.null_rows as reported_null_rows
    from expected
    full outer join reported
        on expected.column_name = reported.column_name
    where not coalesce(expected.null_rows = reported.null_rows, false)
)

select * from final

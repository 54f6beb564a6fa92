using ForecastWeather;

return await TrainAndForecast.RunAsync(args, Console.Out, Console.Error);
